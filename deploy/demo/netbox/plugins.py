# Loaded by the netbox-docker image next to its configuration.py.
PLUGINS = ["netbox_proxbox"]
