"""``python -m wenming`` is the ``wenming`` command."""

from wenming.cli import main

main()
