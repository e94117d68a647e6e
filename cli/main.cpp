#include <malloc.h>

#include "app/runner.hpp"

int main(int argc, char** argv) {
  // Bulk uploads allocate and free buffers of a few MiB per file on every worker thread.
  // With glibc's defaults each comes from a fresh mmap (or trimmed heap) and is
  // page-faulted in afresh: half of `fs cp -r`'s CPU time in a profile (page faults,
  // clear_page). Keeping such blocks in the heap for reuse halves the system time.
  // A short-lived process can afford the retained memory.
  mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
  return dbk::cli::main_entry(argc, argv);
}
