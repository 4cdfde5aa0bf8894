import sys

from jarlpm.cli import main

sys.exit(main())
