#pragma once

// Umbrella header: everything an embedding program needs.
#include "dbk/api_error.hpp"
#include "dbk/base64.hpp"
#include "dbk/client.hpp"
#include "dbk/clock.hpp"
#include "dbk/clusters.hpp"
#include "dbk/config.hpp"
#include "dbk/dbfs.hpp"
#include "dbk/http.hpp"
#include "dbk/job_template.hpp"
#include "dbk/jobs.hpp"
#include "dbk/result.hpp"
#include "dbk/retry.hpp"
#include "dbk/run_waiter.hpp"
#include "dbk/transfer.hpp"
#include "dbk/workspace.hpp"
