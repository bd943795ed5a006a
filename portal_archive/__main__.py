import sys

from portal_archive.cli import main

sys.exit(main())
