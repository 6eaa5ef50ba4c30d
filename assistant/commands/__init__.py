"""What the command-line modules share: the folders given once, common options, how a command
line is run and how its errors become one-line messages and exit statuses."""
