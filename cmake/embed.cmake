# Writes IN as a C++ string constant lep::app::kOpenApiJson into OUT.
file(READ ${IN} CONTENT)
file(WRITE ${OUT} "// Generated from docs/openapi.json; do not edit.\n#include <string_view>\nnamespace lep::app {\nextern const std::string_view kOpenApiJson;\nconst std::string_view kOpenApiJson = R\"lepjson(${CONTENT})lepjson\";\n}\n")
