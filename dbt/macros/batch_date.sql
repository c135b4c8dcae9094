{#- Keeps the rows of the batch key being run: `date_column` (an ISO date string, e.g. 2024-01-15) against
    var('batch_key') (e.g. 20240115). Without a batch key, keeps every row. `replace` is the same on DuckDB and BigQuery. -#}
{% macro for_batch_key(date_column) -%}
  {%- if var('batch_key') is not none -%}
    replace({{ date_column }}, '-', '') = {{ sql_string(var('batch_key')) }}
  {%- else -%}
    true
  {%- endif -%}
{%- endmacro %}

{#- A string literal: the batch key comes from a file name, so it is escaped, never pasted in. -#}
{% macro sql_string(value) -%}
  {{ return(adapter.dispatch('sql_string', 'landfall_example')(value)) }}
{%- endmacro %}

{% macro default__sql_string(value) -%}
  '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{% macro bigquery__sql_string(value) -%}
  '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
