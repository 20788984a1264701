"""The published language: integration events (and published ports) modules share.

One file per publishing module. Any module may import these; none may import another
module's domain or application code (import-linter says so). Names are stable
(``<module>.<event>.v<N>``); an incompatible change is a new class with the next version.
"""
