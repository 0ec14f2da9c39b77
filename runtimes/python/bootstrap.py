"""Starts tidepool's Lambda runtime client (runtime_client.py) for a python3.* function.

A script is compiled at every start; a module imported from here is compiled once and cached
in __pycache__, which saves a few milliseconds of every cold start.
"""

import runtime_client

runtime_client.main()
