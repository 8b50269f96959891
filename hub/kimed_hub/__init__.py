"""KIMed Workbench, hub side: spawner, policies, accounts, runtime and image builds."""
