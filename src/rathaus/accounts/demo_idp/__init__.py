"""The built-in demo identity provider: a real OpenID provider (django-oauth-toolkit) at
``/demo-idp/`` that lets anyone log in as any synthetic resident of the demo city.

It exists so that the citizen login works end to end on a laptop with no configuration.
It must never be enabled where real residents' data is kept: it authenticates nobody.
"""
