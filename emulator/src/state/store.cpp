#include "state/store.hpp"

#include <cstdio>
#include <system_error>

#include "dbk/json.hpp"
#include "http/request.hpp"
#include "state/files.hpp"
#include "state/journal.hpp"

namespace dbk::emulator {
namespace {

constexpr const char* kSnapshotFile = "snapshot.json";
constexpr const char* kJournalFile = "journal.jsonl";
constexpr int kSnapshotVersion = 1;
// Compact once replaying the journal would cost more than rewriting the snapshot.
constexpr std::size_t kCompactAfterRecords = 2000;

bool is_decimal(const std::string& text) {
  if (text.empty() || text.size() > 19) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Ops are absolute (put value, erase, set counter), so replaying a record twice (a crash
// between snapshot and journal truncation) gives the same state.
nlohmann::json put_op(std::string_view kind, std::string_view key, nlohmann::json value) {
  return {{"op", "put"}, {"kind", kind}, {"key", key}, {"value", std::move(value)}};
}
nlohmann::json erase_op(std::string_view kind, std::string_view key) {
  return {{"op", "erase"}, {"kind", kind}, {"key", key}};
}
nlohmann::json counter_op(std::string_view name, std::int64_t value) {
  return {{"op", "counter"}, {"name", name}, {"value", value}};
}

// Where the documents sit in the two state texts: snapshot {"tables": {kind: {key: DOC}}},
// journal record {"ops": [OP, ...]} with OP = {"op": "put", ..., "value": DOC}.
constexpr int kSnapshotDocumentDepth = 3;
constexpr int kJournalOpDepth = 2;

// Parses a state text that an older emulator may have written with a document nested
// deeper than dbk::kMaxJsonDepth (before requests were depth-limited). Such a value would
// crash the first copy or dump() of it, so the unit that holds it (a snapshot document, a
// journal op) is left out and counted in `dropped`; everything else is kept. nlohmann's
// parser is iterative, and the callback discards the over-deep part as it is read, so
// nothing deep is ever built. A syntax error gives a discarded value.
nlohmann::json parse_state_json(std::string_view text, int unit_depth, std::size_t& dropped) {
  bool too_deep = false;
  using Event = nlohmann::json::parse_event_t;
  nlohmann::json::parser_callback_t keep = [&](int depth, Event event, nlohmann::json&) {
    const bool start = event == Event::object_start || event == Event::array_start;
    const bool end = event == Event::object_end || event == Event::array_end;
    // `depth` of a container event counts the containers around it.
    if (start && depth >= static_cast<int>(kMaxJsonDepth)) {
      too_deep = true;
      return false;
    }
    if (end && depth == unit_depth && too_deep) {
      too_deep = false;
      ++dropped;
      return false;
    }
    return true;
  };
  return nlohmann::json::parse(text.begin(), text.end(), keep, /*allow_exceptions=*/false);
}

}  // namespace

bool Store::KeyLess::operator()(const std::string& a, const std::string& b) const {
  bool a_num = is_decimal(a);
  bool b_num = is_decimal(b);
  if (a_num && b_num && a.size() != b.size()) return a.size() < b.size();
  if (a_num != b_num) return a_num;  // numbers first
  return a < b;
}

// ---- Transaction -----------------------------------------------------------------------

std::optional<Store::Document> Store::Transaction::get(std::string_view kind,
                                                       std::string_view key) const {
  auto table = pending_.find(std::string(kind));
  if (table != pending_.end()) {
    auto entry = table->second.find(std::string(key));
    if (entry != table->second.end()) return entry->second;
  }
  auto stored = store_.tables_.find(kind);
  if (stored == store_.tables_.end()) return std::nullopt;
  auto entry = stored->second.find(std::string(key));
  if (entry == stored->second.end()) return std::nullopt;
  return entry->second;
}

Store::Entries Store::Transaction::list(std::string_view kind) const {
  Table merged;
  auto stored = store_.tables_.find(kind);
  if (stored != store_.tables_.end()) merged = stored->second;
  auto table = pending_.find(std::string(kind));
  if (table != pending_.end()) {
    for (const auto& [key, value] : table->second) {
      if (value) {
        merged[key] = *value;
      } else {
        merged.erase(key);
      }
    }
  }
  return Entries(merged.begin(), merged.end());
}

void Store::Transaction::put(std::string_view kind, std::string_view key, Document value) {
  ops_.push_back(put_op(kind, key, value));
  pending_[std::string(kind)][std::string(key)] = std::move(value);
}

void Store::Transaction::erase(std::string_view kind, std::string_view key) {
  ops_.push_back(erase_op(kind, key));
  pending_[std::string(kind)][std::string(key)] = std::nullopt;
}

std::int64_t Store::Transaction::next_id(std::string_view counter) {
  std::string name(counter);
  auto it = counters_.find(name);
  std::int64_t current = 0;
  if (it != counters_.end()) {
    current = it->second;
  } else {
    auto stored = store_.counters_.find(counter);
    if (stored != store_.counters_.end()) current = stored->second;
  }
  std::int64_t next = current + 1;
  counters_[name] = next;
  ops_.push_back(counter_op(counter, next));
  return next;
}

// ---- Store -----------------------------------------------------------------------------

Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& dir) {
  std::unique_ptr<Store> store(new Store());
  if (dir.empty()) return store;
  Status created = create_private_directories(dir);
  if (!created.ok()) return std::move(created).error();
  store->dir_ = dir;

  std::size_t dropped = 0;
  Status loaded = store->load(dropped);
  if (!loaded.ok()) return std::move(loaded).error();
  if (dropped > 0) {
    // The compaction below makes this final: say so where the operator looks.
    std::fprintf(stderr,
                 "dbk emulator: %zu stored document(s) in %s were nested deeper than %zu "
                 "levels and were dropped\n",
                 dropped, dir.string().c_str(), kMaxJsonDepth);
  }
  auto journal = Journal::open(dir / kJournalFile);
  if (!journal.ok()) return std::move(journal).error();
  store->journal_ = std::move(*journal);
  std::unique_lock<std::shared_mutex> lock(store->mutex_);
  // Compaction only shortens the next replay. On a full disk it cannot write the snapshot;
  // the store then starts on its journal as it is (Journal::open has cut off any torn
  // tail), reads work, and deletes can free space (docs/emulator.md, "Full disks").
  Status compacted = store->compact();
  if (!compacted.ok()) {
    std::fprintf(stderr, "dbk emulator: starting without compacting the state: %s\n",
                 compacted.error().message.c_str());
  }
  lock.unlock();
  return store;
}

Status Store::load(std::size_t& dropped) {
  std::map<std::string, Table, std::less<>> tables;
  std::map<std::string, std::int64_t, std::less<>> counters;
  auto snapshot_text = read_file(dir_ / kSnapshotFile);
  if (snapshot_text.ok()) {
    auto snapshot = parse_state_json(*snapshot_text, kSnapshotDocumentDepth, dropped);
    if (snapshot.is_discarded() || !snapshot.is_object()) {
      return http_error(500, "DATA_LOSS",
                        "corrupt state snapshot " + (dir_ / kSnapshotFile).string());
    }
    if (snapshot.value("version", 0) > kSnapshotVersion) {
      return http_error(500, "INVALID_STATE",
                        "state folder was written by a newer emulator (snapshot version " +
                            std::to_string(snapshot.value("version", 0)) + ")");
    }
    // Copies: a range-for over items() of a temporary would outlive the temporary.
    const nlohmann::json snapshot_tables = snapshot.value("tables", nlohmann::json::object());
    const nlohmann::json snapshot_counters = snapshot.value("counters", nlohmann::json::object());
    for (const auto& [kind, entries] : snapshot_tables.items()) {
      Table& table = tables[kind];
      for (const auto& [key, value] : entries.items()) table[key] = value;
    }
    for (const auto& [name, value] : snapshot_counters.items()) {
      if (value.is_number_integer()) counters[name] = value.get<std::int64_t>();
    }
  }
  tables_ = std::move(tables);
  counters_ = std::move(counters);
  journal_records_ = 0;
  for (const std::string& line : Journal::read_lines(dir_ / kJournalFile)) {
    auto record = parse_state_json(line, kJournalOpDepth, dropped);
    // Only the tail can be damaged by a crash; an unreadable record was never acknowledged.
    if (record.is_discarded() || !record.is_object() || !record.contains("ops")) continue;
    apply(record["ops"]);
    ++journal_records_;
  }
  return {};
}

void Store::apply(const nlohmann::json& ops) {
  for (const auto& op : ops) {
    const std::string kind = op.value("op", "");
    if (kind == "put") {
      tables_[op.value("kind", "")][op.value("key", "")] = op.value("value", nlohmann::json());
    } else if (kind == "erase") {
      auto table = tables_.find(op.value("kind", ""));
      if (table != tables_.end()) {
        table->second.erase(op.value("key", ""));
        if (table->second.empty()) tables_.erase(table);
      }
    } else if (kind == "counter") {
      counters_[op.value("name", "")] = op.value("value", std::int64_t{0});
    } else if (kind == "clear") {
      tables_.clear();
      counters_.clear();
    }
  }
}

Status Store::commit(const nlohmann::json& ops) {
  Ticket ticket = 0;
  Status status = commit_deferred(ops, ticket);
  if (!status.ok()) return status;
  return wait_durable(ticket, /*holding_lock=*/true);  // lock order: mutex_, then sync_mutex_
}

namespace {

// Changes that only remove: they free space, so the journal's reserve is kept for them.
bool only_removes(const nlohmann::json& ops) {
  for (const auto& op : ops) {
    const std::string kind = op.value("op", "");
    if (kind != "erase" && kind != "clear") return false;
  }
  return true;
}

}  // namespace

Status Store::commit_deferred(const nlohmann::json& ops, Ticket& ticket) {
  ticket = 0;
  if (ops.empty()) return {};
  if (journal_) {
    // On a full disk the journal's reserve is what lets a delete be recorded, and so space
    // be freed through the API: other changes are refused before they could use it up.
    if (!journal_->has_reserve() && !only_removes(ops)) {
      return http_error(500, "IO_ERROR",
                        "the disk holding the emulator state " + dir_.string() +
                            " is full: only deletes are accepted until space is freed");
    }
    nlohmann::json record = {{"ops", ops}};
    Status written =
        journal_->write(record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (!written.ok()) return written;
    ++journal_records_;
    ticket = ++written_;
    written_published_.store(written_);
  }
  apply(ops);
  if (journal_ && journal_records_ >= kCompactAfterRecords) {
    // The snapshot is written durably before the journal is emptied, so records not yet
    // fsync'ed stay safe; a failed compaction only means a longer replay next start.
    (void)compact();
  }
  return {};
}

Status Store::wait_durable(Ticket ticket) {
  return wait_durable(ticket, false);
}

Status Store::wait_durable(Ticket ticket, bool holding_lock) {
  if (ticket == 0 || !journal_) return {};
  std::optional<ApiError> failure;
  {
    // Group commit: whoever holds sync_mutex_ fsyncs every record written so far, so the
    // commits that queued up meanwhile return without an fsync of their own.
    std::lock_guard<std::mutex> lock(sync_mutex_);
    if (synced_ >= ticket) return {};
    if (!sync_failed_ && ticket > lost_) {
      const Ticket target = written_published_.load();
      Status synced = journal_->sync();
      if (synced.ok()) {
        synced_ = std::max(synced_, target);
        return {};
      }
      // No later fsync may vouch for these records (Linux may report success once the
      // failed pages are dropped): they are cut off instead.
      sync_failed_ = true;
      failure = synced.error();
    }
  }
  return recover_from_failed_sync(ticket, holding_lock, failure);
}

Status Store::recover_from_failed_sync(Ticket ticket, bool holding_lock,
                                       const std::optional<ApiError>& failure) {
  // The write lock stops new records while the journal is cut and the state rebuilt.
  std::unique_lock<std::shared_mutex> lock(mutex_, std::defer_lock);
  if (!holding_lock) lock.lock();
  std::lock_guard<std::mutex> sync_lock(sync_mutex_);
  if (sync_failed_) {
    // Every record after the last good fsync goes, also ones written since the failure:
    // the state in memory must match what a restart would read.
    Status cut = journal_->discard_unsynced();
    if (!cut.ok()) return cut;  // still failed: the next waiter tries again
    std::size_t dropped = 0;
    Status loaded = load(dropped);
    if (!loaded.ok()) return loaded;
    lost_ = written_;
    sync_failed_ = false;
  }
  if (synced_ >= ticket) return {};
  if (failure) return *failure;
  return http_error(500, "IO_ERROR",
                    "the change was not saved: an fsync of the journal " +
                        (dir_ / kJournalFile).string() + " failed");
}

Status Store::compact() {
  if (dir_.empty()) return {};
  // A snapshot would make records durable whose commits are about to fail: wait for the
  // recovery from a failed fsync. Holding sync_mutex_ also keeps fsyncs off the journal
  // while it is truncated.
  std::lock_guard<std::mutex> sync_lock(sync_mutex_);
  if (sync_failed_) {
    return http_error(500, "IO_ERROR", "not compacting while recovering from a failed fsync");
  }
  nlohmann::json tables = nlohmann::json::object();
  for (const auto& [kind, table] : tables_) {
    nlohmann::json entries = nlohmann::json::object();
    for (const auto& [key, value] : table) entries[key] = value;
    tables[kind] = std::move(entries);
  }
  nlohmann::json counters = nlohmann::json::object();
  for (const auto& [name, value] : counters_) counters[name] = value;
  nlohmann::json snapshot = {{"version", kSnapshotVersion},
                             {"tables", std::move(tables)},
                             {"counters", std::move(counters)}};
  Status written = write_file_atomically(
      dir_ / kSnapshotFile,
      snapshot.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (!written.ok()) return written;
  Status truncated = journal_->truncate();
  if (!truncated.ok()) return truncated;
  journal_records_ = 0;
  synced_ = written_;  // the snapshot holds every record written so far, durably
  return {};
}

std::optional<Store::Document> Store::get(std::string_view kind, std::string_view key) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  auto table = tables_.find(kind);
  if (table == tables_.end()) return std::nullopt;
  auto entry = table->second.find(std::string(key));
  if (entry == table->second.end()) return std::nullopt;
  return entry->second;
}

Store::Entries Store::list(std::string_view kind) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  auto table = tables_.find(kind);
  if (table == tables_.end()) return {};
  return Entries(table->second.begin(), table->second.end());
}

// Writers hold the write lock for the journal write and the apply only; the fsync comes
// after it, shared with concurrent writers (wait_durable).
Status Store::put(std::string_view kind, std::string_view key, Document value) {
  Ticket ticket = 0;
  {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    Status status =
        commit_deferred(nlohmann::json::array({put_op(kind, key, std::move(value))}), ticket);
    if (!status.ok()) return status;
  }
  return wait_durable(ticket);
}

Status Store::erase(std::string_view kind, std::string_view key) {
  Ticket ticket = 0;
  {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    Status status = commit_deferred(nlohmann::json::array({erase_op(kind, key)}), ticket);
    if (!status.ok()) return status;
  }
  return wait_durable(ticket);
}

Result<std::int64_t> Store::next_id(std::string_view counter) {
  Ticket ticket = 0;
  std::int64_t next = 0;
  {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    auto it = counters_.find(counter);
    next = (it == counters_.end() ? 0 : it->second) + 1;
    Status status = commit_deferred(nlohmann::json::array({counter_op(counter, next)}), ticket);
    if (!status.ok()) return std::move(status).error();
  }
  Status durable = wait_durable(ticket);
  if (!durable.ok()) return std::move(durable).error();
  return next;
}

Status Store::transaction(const std::function<Status(Transaction&)>& fn) {
  auto ticket = transaction_deferred(fn);
  if (!ticket.ok()) return std::move(ticket).error();
  return wait_durable(*ticket);
}

Result<Store::Ticket> Store::transaction_deferred(const std::function<Status(Transaction&)>& fn) {
  std::unique_lock<std::shared_mutex> lock(mutex_);
  Transaction tx(*this);
  Status status = fn(tx);
  if (!status.ok()) return std::move(status).error();
  Ticket ticket = 0;
  status = commit_deferred(tx.ops_, ticket);
  if (!status.ok()) return std::move(status).error();
  return ticket;
}

Status Store::clear() {
  std::unique_lock<std::shared_mutex> lock(mutex_);
  Status status = commit(nlohmann::json::array({{{"op", "clear"}}}));
  if (!status.ok()) return status;
  return compact();
}

std::size_t Store::journal_records() const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  return journal_records_;
}

}  // namespace dbk::emulator
