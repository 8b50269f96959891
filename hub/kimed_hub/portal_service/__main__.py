"""``python -m kimed_hub.portal_service``: run the portal service."""

from .app import main

main()
