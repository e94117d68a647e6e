# Warnings for the project's own targets. Third-party headers (cpprestsdk, Asio, Beast)
# are included as SYSTEM so these flags do not apply to them.
function(dbk_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual)
endfunction()
