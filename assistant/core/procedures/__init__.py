"""The authorities' procedure texts as citable sections: ingestion, topics, retrieval."""
