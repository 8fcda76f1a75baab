// Package readmetest runs the commands of README.md and docs/*.md that
// are marked runnable, against a demo market of its own, so that what a
// new user copies from the documentation works as written.
//
// A block is marked by an HTML comment on the line before its fence:
//
//	<!-- runnable -->
//	```sh
//	techmarket offers list --limit 3
//	```
//
// The comment may say what the block needs beyond the binaries and what
// its output must contain:
//
//	<!-- runnable needs=grpcurl expect="SERVING" -->
//
// A block whose tools are missing is skipped, not failed. Each block runs
// on its own in bash -euo pipefail, in a folder whose data/ is the demo
// market's data folder, with the repository's binaries first on PATH and
// TECHMARKET_ADDR naming the demo server. The documentation names the
// server 127.0.0.1:7733 and its metrics 127.0.0.1:7734; the test puts the
// addresses of its own server in their place. Mark only what runs on a
// fresh clone with nothing but the demo market: no shared data set, no
// second server, nothing left running.
package readmetest
