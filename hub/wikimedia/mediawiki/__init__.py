"""Read from (and log in to) any MediaWiki through its Action API: categories, files, usage.

Start with :meth:`MediaWikiClient.for_user_url` for an address a person typed (checked against
private networks, probed for a wiki), or ``MediaWikiClient(api_url)`` for one the code or an
administrator configured. Every method returns dataclasses and raises
:mod:`hub.wikimedia.errors` types.

Etiquette, all automatic: ``maxlag=5`` on background clients, continuation followed, titles in
batches of 50 (500 where the account has ``apihighlimits``), ``limit=max`` on lists, the first
query also asks for ``meta=siteinfo|userinfo`` (so checking that an address is a wiki and
learning the account's limits costs no extra request), requests in series per host.
"""

from hub.wikimedia.mediawiki.client import MediaWikiClient

__all__ = ["MediaWikiClient"]
