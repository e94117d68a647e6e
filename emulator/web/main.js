// Loaded last: every page has registered its route.
"use strict";

DBK.start();
