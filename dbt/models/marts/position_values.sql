-- Each position of the batch key's date valued at that date's close: positions × end-of-day prices × instruments.
-- Rebuilt for the batch key being run (var batch_key), so a reloaded member replaces its date's values.
-- BigQuery overwrites the date's partition; DuckDB deletes the date's rows and inserts them again.
{% if target.type == 'bigquery' %}
  {{ config(materialized='incremental', incremental_strategy='insert_overwrite',
            partition_by={'field': 'as_of_date', 'data_type': 'date'}) }}
{% else %}
  {{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='as_of_date') }}
{% endif %}

select
    p.as_of_date,
    p.account_id,
    p.isin,
    i.ticker,
    i.instrument_name,
    p.quantity,
    e.close_price,
    e.currency as price_currency,
    p.quantity * e.close_price as market_value,
    p.reported_market_value
from {{ ref('stg_positions') }} as p
join {{ ref('stg_eod_prices') }} as e
    on e.isin = p.isin and e.price_date = p.as_of_date
join {{ ref('stg_instruments') }} as i
    on i.isin = p.isin
where {{ for_batch_key("cast(p.as_of_date as " ~ dbt.type_string() ~ ")") }}
