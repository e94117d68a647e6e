#include "app/runner.hpp"

int main(int argc, char** argv) {
  return dbk::cli::main_entry(argc, argv);
}
