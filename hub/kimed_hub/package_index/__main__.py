"""``python -m kimed_hub.package_index``: run the package index service."""

from .app import main

main()
