"""gallery-dl's command line, with one fix to its generic extractor (run by galleryDl.ts).

gallery-dl 1.32's GenericExtractor (gallery_dl/extractor/generic.py) matches the host with
`(?P<domain>[-\\w\\.]+)` and no port, so `http://host:8080/page` is fetched from port 80 (seen with
a loopback page: "Connection refused" on 127.0.0.1:80). This runner widens the domain group to
take an optional `:port`, and makes the `generic:` prefix optional: what the documented option
`extractor.generic.enabled=true` does, decided here because the pattern is built when the module
is imported. Site extractors and the directlink extractor come before it in gallery-dl's list,
so the generic one only takes pages nothing else claims. Everything else is gallery-dl's own
`main()` with the arguments galleryDl.ts passes (no config file is read: `--config-ignore`).
"""

import sys

from gallery_dl.extractor import generic

_DOMAIN = r"(?P<domain>[-\w\.]+)"
_PREFIX = r"(?P<generic>g(?:eneric)?:)"
_pattern = generic.GenericExtractor.pattern
if _DOMAIN not in _pattern or not _pattern.startswith(r"(?i)" + _PREFIX):
    sys.stderr.write("gallerydl_runner: gallery-dl's generic pattern changed; fix the runner\n")
    sys.exit(70)
_pattern = _pattern.replace(_DOMAIN, r"(?P<domain>[-\w\.]+(?::\d{1,5})?)", 1)
if not _pattern.startswith(r"(?i)" + _PREFIX + "?"):
    _pattern = _pattern.replace(_PREFIX, _PREFIX + "?", 1)
generic.GenericExtractor.pattern = _pattern

from gallery_dl import main  # noqa: E402  (after the patch: main() builds the extractor list)

if __name__ == "__main__":
    sys.exit(main())
