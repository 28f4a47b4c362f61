#!/usr/bin/env node
'use strict';
// Placeholder replaced by the CLI entry in the SDK work.
require('../dist/cli.js');
