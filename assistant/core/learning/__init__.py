"""Learning the procedure: quizzes with spaced repetition, progress, practice cases."""
