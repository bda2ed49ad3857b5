"""Number formats for Simplified Chinese pages: figures grouped by thousands with a comma
(1,594 户, 1,610,400.00 元), as official statistical tables print them. Django's own zh_Hans
formats leave numbers ungrouped; every other format falls through to them."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
