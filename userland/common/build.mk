# SPDX-License-Identifier: GPL-2.0
#
# Shared code of the userland tools: value parsers, output formatting
# (human units, tables, JSON), kipsec uAPI names and the generic-netlink
# client with extended-ack handling.

COMMON_SRCS := common/parse.c common/format.c common/json.c common/table.c \
	       common/kipsec_names.c common/netlink_client.c
COMMON_LIB := $(BUILD)/libkipsec-common.a

$(COMMON_LIB): $(COMMON_SRCS:%.c=$(BUILD)/%.o)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

LIBS += $(COMMON_LIB)

COMMON_TESTS := test_common_parse test_common_format test_common_json

$(COMMON_TESTS:%=$(BUILD)/tests/%): $(BUILD)/tests/%: $(BUILD)/tests/%.o \
		$(COMMON_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

TESTS += $(COMMON_TESTS:%=$(BUILD)/tests/%)
