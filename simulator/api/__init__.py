"""The external interfaces: one blueprint each, thin views over the services."""
