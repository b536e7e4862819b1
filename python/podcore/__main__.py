import sys

from podcore.cli import main

sys.exit(main())
