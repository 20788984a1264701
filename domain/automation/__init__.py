"""Automation: users' playbooks and the variable types their values are checked against
(framework-free)."""
