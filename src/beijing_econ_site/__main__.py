import sys

from beijing_econ_site.cli import main

sys.exit(main())
