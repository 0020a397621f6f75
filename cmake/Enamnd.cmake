# The two functions a service and a test are declared with:
#
#   enamnd_service(NAME projects
#                  PROTOS enamnd/projects/v1/projects.proto enamnd/projects/v1/events.proto
#                  READS meetings            # services whose event protos it reads
#                  SOURCES domain/rules.cc store/store.cc api/projects_api.cc ...)
#
#   enamnd_test(NAME projects_unit_test LABEL unit LIBS enamnd_projects_lib
#               SOURCES projects/rules_test.cc)
#   enamnd_test(NAME e2e_projects_flow_test LABEL e2e LIBS enamnd_projects_lib
#               BINARIES enamnd-projects SOURCES e2e/projects_flow_test.cc)
#   enamnd_python_test(NAME e2e_projects_client LABEL e2e TIMEOUT 300
#                      SCRIPT tests/e2e/test_projects_client.py)
#
# enamnd_service makes enamnd_<name>_proto (C++ and Python from PROTOS;
# gRPC stubs for the files that declare a service), enamnd_<name>_lib (the
# SOURCES, relative to the calling folder) and the binary enamnd-<name>
# from main.cc. Adding a service touches no other service's lines.

set(ENAMND_PROTO_ROOT ${CMAKE_SOURCE_DIR}/proto)
set(ENAMND_PROTO_GEN_DIR ${CMAKE_BINARY_DIR}/gen)
set(ENAMND_PY_GEN_DIR ${CMAKE_BINARY_DIR}/python)
file(MAKE_DIRECTORY ${ENAMND_PROTO_GEN_DIR} ${ENAMND_PY_GEN_DIR})
# Python stubs for outside-client tests and the demo loaders.
add_custom_target(enamnd_python_stubs ALL)

# A static library `target` of the C++ code generated from `protos`
# (paths under proto/), plus their Python stubs.
function(enamnd_proto_library target)
  set(srcs)
  set(py_outs)
  foreach(proto ${ARGN})
    string(REGEX REPLACE "\\.proto$" "" stem ${proto})
    set(outs ${ENAMND_PROTO_GEN_DIR}/${stem}.pb.cc ${ENAMND_PROTO_GEN_DIR}/${stem}.pb.h)
    set(py ${ENAMND_PY_GEN_DIR}/${stem}_pb2.py)
    set(plugin_args)
    file(STRINGS ${ENAMND_PROTO_ROOT}/${proto} services REGEX "^service ")
    if(services)
      list(APPEND outs ${ENAMND_PROTO_GEN_DIR}/${stem}.grpc.pb.cc
           ${ENAMND_PROTO_GEN_DIR}/${stem}.grpc.pb.h)
      list(APPEND py ${ENAMND_PY_GEN_DIR}/${stem}_pb2_grpc.py)
      set(plugin_args
        --grpc_out=${ENAMND_PROTO_GEN_DIR} --plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN}
        --grpcpy_out=${ENAMND_PY_GEN_DIR} --plugin=protoc-gen-grpcpy=${GRPC_PYTHON_PLUGIN})
    endif()
    add_custom_command(
      OUTPUT ${outs} ${py}
      COMMAND protobuf::protoc -I${ENAMND_PROTO_ROOT} --cpp_out=${ENAMND_PROTO_GEN_DIR}
              --python_out=${ENAMND_PY_GEN_DIR} ${plugin_args} ${ENAMND_PROTO_ROOT}/${proto}
      DEPENDS ${ENAMND_PROTO_ROOT}/${proto}
      COMMENT "protoc ${proto}")
    list(APPEND srcs ${outs})
    list(APPEND py_outs ${py})
  endforeach()
  add_library(${target} STATIC ${srcs})
  target_include_directories(${target} PUBLIC ${ENAMND_PROTO_GEN_DIR})
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf gRPC::grpc++)
  add_custom_target(${target}_python DEPENDS ${py_outs})
  add_dependencies(enamnd_python_stubs ${target}_python)
endfunction()

function(enamnd_service)
  cmake_parse_arguments(S "" "NAME" "PROTOS;READS;SOURCES" ${ARGN})
  enamnd_proto_library(enamnd_${S_NAME}_proto ${S_PROTOS})
  target_link_libraries(enamnd_${S_NAME}_proto PUBLIC enamnd_proto)
  foreach(other ${S_READS})
    target_link_libraries(enamnd_${S_NAME}_proto PUBLIC enamnd_${other}_proto)
  endforeach()
  add_library(enamnd_${S_NAME}_lib STATIC ${S_SOURCES})
  target_compile_options(enamnd_${S_NAME}_lib PRIVATE ${ENAMND_WARNINGS})
  target_link_libraries(enamnd_${S_NAME}_lib PUBLIC enamnd_platform enamnd_${S_NAME}_proto)
  if("meetings" IN_LIST S_READS)
    # Reading the meetings stream: services/platform/meetings_feed.h, members.h.
    target_link_libraries(enamnd_${S_NAME}_lib PUBLIC enamnd_meetings_feed)
  endif()
  add_executable(enamnd-${S_NAME} main.cc)
  target_compile_options(enamnd-${S_NAME} PRIVATE ${ENAMND_WARNINGS})
  target_link_libraries(enamnd-${S_NAME} PRIVATE enamnd_${S_NAME}_lib)
endfunction()

function(enamnd_test)
  cmake_parse_arguments(T "" "NAME;LABEL" "LIBS;BINARIES;SOURCES" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_compile_options(${T_NAME} PRIVATE ${ENAMND_WARNINGS})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} enamnd_test_support GTest::gtest GTest::gmock
                        GTest::gtest_main)
  # Where the binaries are, for tests that start them (env ENAMND_BUILD_DIR wins).
  target_compile_definitions(${T_NAME} PRIVATE ENAMND_DEFAULT_BUILD_DIR="${CMAKE_BINARY_DIR}")
  foreach(binary ${T_BINARIES})
    add_dependencies(${T_NAME} ${binary})
  endforeach()
  gtest_discover_tests(${T_NAME} PROPERTIES LABELS ${T_LABEL} DISCOVERY_TIMEOUT 60)
endfunction()

# A test written in Python, run with Debian's interpreter (it has
# python3-grpcio); it sees the build and source directories.
function(enamnd_python_test)
  cmake_parse_arguments(T "" "NAME;LABEL;SCRIPT;TIMEOUT" "" ${ARGN})
  add_test(NAME ${T_NAME} COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/${T_SCRIPT})
  set_tests_properties(${T_NAME} PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "ENAMND_BUILD_DIR=${CMAKE_BINARY_DIR};ENAMND_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()

# ------------------------------------------------------------ sanitizers, fuzzing
# ENAMND_SANITIZE=ON builds everything with ASan and UBSan; ENAMND_FUZZ=ON
# also instruments the code for libFuzzer and builds tests/fuzz (target
# enamnd_fuzz). Both need clang (CXX=clang++). Called once, from the top
# CMakeLists.txt, before the first target. Debian's libraries (gRPC,
# protobuf, Abseil) stay uninstrumented: the sanitizers check our code.
function(enamnd_sanitizer_flags)
  if(NOT (ENAMND_SANITIZE OR ENAMND_FUZZ))
    return()
  endif()
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "ENAMND_SANITIZE and ENAMND_FUZZ need clang: configure with "
                        "CXX=clang++ (Debian's clang 14)")
  endif()
  set(sanitizers -fsanitize=address,undefined -fno-omit-frame-pointer
                 -fno-sanitize-recover=undefined)
  if(ENAMND_FUZZ)
    # Coverage for libFuzzer; only the fuzz targets link its main.
    list(APPEND sanitizers -fsanitize=fuzzer-no-link)
  endif()
  # -O1 -g is the usual trade for ASan: readable stacks, tolerable speed.
  # _GLIBCXX_ASSERTIONS bounds-checks string_view, vector and friends,
  # which ASan cannot see when an index stays inside the buffer.
  add_compile_options(${sanitizers} -O1 -g -D_GLIBCXX_ASSERTIONS)
  add_link_options(-fsanitize=address,undefined)
endfunction()

# A libFuzzer target tests/fuzz/<NAME>_fuzz.cc linked with LIBS, part of
# enamnd_fuzz; its seed corpus is tests/fuzz/corpus/<NAME>/. ctest (label
# fuzz) runs it once over the seeds, as a regression test; ./tools/test
# --all fuzzes it for a bounded time (enamnd_fuzz_runs in tools/lib.sh).
add_custom_target(enamnd_fuzz)
function(enamnd_fuzz_target)
  cmake_parse_arguments(F "" "NAME" "LIBS" ${ARGN})
  add_executable(${F_NAME}_fuzz ${CMAKE_SOURCE_DIR}/tests/fuzz/${F_NAME}_fuzz.cc)
  target_compile_options(${F_NAME}_fuzz PRIVATE ${ENAMND_WARNINGS})
  target_include_directories(${F_NAME}_fuzz PRIVATE ${CMAKE_SOURCE_DIR})
  target_link_libraries(${F_NAME}_fuzz PRIVATE ${F_LIBS})
  target_link_options(${F_NAME}_fuzz PRIVATE -fsanitize=fuzzer)
  add_dependencies(enamnd_fuzz ${F_NAME}_fuzz)
  add_test(NAME fuzz_seeds_${F_NAME}
           COMMAND ${F_NAME}_fuzz -runs=0 ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${F_NAME})
  set_tests_properties(fuzz_seeds_${F_NAME} PROPERTIES LABELS fuzz TIMEOUT 120)
endfunction()
