# Fails when docs/cli.md differs from what `dbk docs` prints, so the command reference
# cannot drift from the command table. Run by CTest as cli_docs_up_to_date:
#   cmake -DDBK=<dbk binary> -DDOC=<docs/cli.md> -DOUT=<file for the generated text> -P this
execute_process(COMMAND "${DBK}" docs
                OUTPUT_VARIABLE generated
                ERROR_VARIABLE errors
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "`dbk docs` failed (${status}):\n${errors}")
endif()
file(READ "${DOC}" committed)
if(NOT generated STREQUAL committed)
  file(WRITE "${OUT}" "${generated}")
  message(FATAL_ERROR
    "docs/cli.md is not what `dbk docs` prints (the command table changed).\n"
    "See the difference:  diff -u ${DOC} ${OUT}\n"
    "Regenerate it:       ${DBK} docs > ${DOC}\n"
    "and commit docs/cli.md with the change to the commands.")
endif()
