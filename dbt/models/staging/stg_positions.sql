-- Positions per account and instrument at the end of a business date, typed.
select
    account_id,
    cast(as_of_date as date) as as_of_date,
    isin,
    cast(quantity as {{ dbt.type_int() }}) as quantity,
    cast(average_cost as {{ dbt.type_numeric() }}) as average_cost,
    cast(market_value as {{ dbt.type_numeric() }}) as reported_market_value,
    currency,
    _load_id
from {{ source('landfall', 'raw_positions') }}
