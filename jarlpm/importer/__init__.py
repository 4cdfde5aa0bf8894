"""`jarlpm import`: move an original JarlPM database (reference section 2) into this service's database.

source.py reads the original (read-only), mapping.py turns its rows into ours (pure rules, every
normalisation noted), writer.py inserts them one user per transaction (sql/importer.sql), report.py
counts what was read, written and skipped, and cli.py is the command.
"""
