"""Microsoft Teams: the Microsoft 365 Agents SDK on POST /api/messages, in the web app.

auth.py checks every request's token, agent.py takes activities in (acknowledged at once) and
answers them in the background through the same ConversationService as /api/chat,
cards.py draws replies as text plus Adaptive Cards, connector.py sends them only to allowed
service URLs, proactive.py reaches a stored conversation later (reminders), package.py builds
the Teams app package. README "Microsoft Teams" says how to register the bot.
"""
