// Package deploy holds what it takes to run techmarketd on a machine of
// one's own: a hardened systemd unit (techmarketd.service) and an example
// configuration (techmarketd.conf) for `techmarketd serve --config`. The
// Dockerfile is at the repository's root. The package has no code; its
// tests check the unit with systemd-analyze and serve the example
// configuration, so neither rots unnoticed. See docs/deployment.md.
package deploy
