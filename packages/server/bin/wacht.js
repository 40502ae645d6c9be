#!/usr/bin/env node
// The `wacht` command. npm links a workspace's bin when it installs, before `npm ci` runs the
// build, and skips a target that does not exist yet: so the link points at this committed file,
// which runs the bundle the build writes (scripts/bundle.mjs).
import "../bundle/main.js";
