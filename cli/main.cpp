#include <malloc.h>

#include "app/runner.hpp"
#include "dbk/io_threads.hpp"

int main(int argc, char** argv) {
  // Bulk uploads allocate and free buffers of a few MiB per file on every worker thread.
  // With glibc's defaults each comes from a fresh mmap (or trimmed heap) and is
  // page-faulted in afresh: half of `fs cp -r`'s CPU time in a profile (page faults,
  // clear_page). Keeping such blocks in the heap for reuse halves the system time.
  // A short-lived process can afford the retained memory.
  mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
  // One I/O thread instead of cpprestsdk's 40: starting those was most of a single
  // command's time, and requests never block a pool thread, so parallel transfers
  // (whose workers wait on their own threads) keep their concurrency.
  dbk::set_cpprest_io_threads(1);
  return dbk::cli::main_entry(argc, argv);
}
