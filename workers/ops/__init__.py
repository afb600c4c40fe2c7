"""Operations commands (issue 13): backup and restore, key rotation, retention and purge, doctor.
Each module is called by a thin command in bot/cli.py and works on a Redis connection it is given."""
