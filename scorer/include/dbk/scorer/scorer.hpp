#pragma once

// Umbrella header of the native scorer (docs/scorer.md).
#include "dbk/scorer/dataset.hpp"
#include "dbk/scorer/dbfs_cache.hpp"
#include "dbk/scorer/parquet.hpp"
#include "dbk/scorer/parquet_reader.hpp"
#include "dbk/scorer/pipeline.hpp"
#include "dbk/scorer/score.hpp"
#include "dbk/scorer/score_job.hpp"
#include "dbk/scorer/table.hpp"
