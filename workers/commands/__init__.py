"""Chat commands: one module per group of commands, each command declared (`@command`: words in English
and Spanish, the role it needs, its help line) over its handler.

grammar.py    CommandSpec, @command, reading the words (pure)
arguments.py  reading the arguments (pure; what was wrong is a bot.errors.BadArgument)
context.py    Ctx (what a handler gets), shared lookups
table.py      every command in /help's order; handle_command (role check, run, answer and audit)
areas, membership, policy, roles, places, rights, alerts, audit, feeds: the groups
"""
