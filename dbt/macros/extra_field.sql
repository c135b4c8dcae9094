{#- A field that schema drift put into `_extra` (the JSON of columns the table lacks), as a string; NULL where absent.
    Dispatched because DuckDB and BigQuery spell JSON access differently. -#}
{% macro extra_field(field, column='_extra') -%}
  {{ return(adapter.dispatch('extra_field', 'landfall_example')(field, column)) }}
{%- endmacro %}

{% macro default__extra_field(field, column) -%}
  json_extract_string({{ column }}, '$.{{ field }}')
{%- endmacro %}

{% macro duckdb__extra_field(field, column) -%}
  json_extract_string({{ column }}, '$.{{ field }}')
{%- endmacro %}

{% macro bigquery__extra_field(field, column) -%}
  json_value({{ column }}, '$.{{ field }}')
{%- endmacro %}
