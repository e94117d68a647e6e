#pragma once

// Where `dbk score --output` writes: a file, a local folder of part files, or a DBFS folder
// (written locally, uploaded under a temporary name and moved into place), and which of the
// scored columns go there.

#include <memory>
#include <string>
#include <vector>

#include "dbk/result.hpp"
#include "dbk/scorer/score.hpp"
#include "result_writer.hpp"

namespace dbk {
class DbfsApi;
}

namespace dbk::scorer::detail {

struct OutputTarget {
  enum class Kind { kFile, kFolder, kDbfsFolder };
  Kind kind = Kind::kFile;
  OutputFormat format = OutputFormat::kParquet;
  std::string path;
};

/// The target `path` names. `format` (parquet | csv | jsonl, empty = from the name) wins over
/// the name. A dbfs:/ path, an existing local folder or a path ending in `/` is a folder of part
/// files (Parquet unless `format` or the name's extension says otherwise); another path is a file
/// whose extension (.parquet, .csv, .jsonl/.json) gives the format. Errors: INVALID_ARGUMENT.
Result<OutputTarget> resolve_output_target(const std::string& path, const std::string& format);

/// A writer for `target`. `dbfs` is needed for kDbfsFolder. Folders: part files of at most
/// `part_rows` rows (`part-00000.parquet`, ...) and `_SUCCESS`, as Spark writes them, built under
/// a hidden temporary folder and moved into place by commit(). An existing local folder is
/// replaced only when it holds nothing but such parts (a previous output); an existing DBFS
/// path is refused (ALREADY_EXISTS).
Result<std::unique_ptr<ResultWriter>> open_target_writer(const OutputTarget& target,
                                                         const DbfsApi* dbfs,
                                                         std::size_t part_rows = 1000000);

/// The output columns: `names` empty = the key columns, `prediction` and `probability` (those
/// present); `*` = every column of `scored`. Errors: COLUMN_NOT_FOUND listing the columns there
/// are.
Result<std::vector<std::string>> output_columns(const ScoreResult& scored,
                                                const std::vector<std::string>& names,
                                                const std::vector<std::string>& key_columns);

/// The columns `names` of `batch`, in that order (`*` = all of them, as they are).
ScoreResult select_columns(const ScoreResult& batch, const std::vector<std::string>& names);

}  // namespace dbk::scorer::detail
