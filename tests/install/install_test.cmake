# Run with cmake -P: install, configure the host project against the
# prefix, build it, run both hosts; then build crmctl from its sources
# against the installed tree alone and run it on a fresh database.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${out}\n${err}")
  endif()
  message("${out}")
  set(last_output "${out}" PARENT_SCOPE)
endfunction()
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
run(${CMAKE_COMMAND} -S ${HOST_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${prefix} -DCRM_PREFIX=${prefix})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/cpp_host)
run(${WORK_DIR}/build/c_host)

# crmctl: no source of the library is on its include path, only the prefix.
run(${CMAKE_COMMAND} -S ${CRMCTL_DIR} -B ${WORK_DIR}/crmctl -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${prefix}
    "-DCMAKE_BUILD_RPATH=${prefix}/lib;${prefix}/lib/x86_64-linux-gnu")
run(${CMAKE_COMMAND} --build ${WORK_DIR}/crmctl)
set(crmctl ${WORK_DIR}/crmctl/crmctl)
run(${crmctl} init ${WORK_DIR}/crm.db)
run(${crmctl} lead create ${WORK_DIR}/crm.db Sara Ahmadi sara@example.com --json)
if(NOT last_output MATCHES "\"email\":\"sara@example.com\"")
  message(FATAL_ERROR "crmctl built from the installed tree answered: ${last_output}")
endif()
