-- End-of-day prices per instrument and date, typed.
select
    isin,
    cast(price_date as date) as price_date,
    cast(open_price as {{ dbt.type_numeric() }}) as open_price,
    cast(high_price as {{ dbt.type_numeric() }}) as high_price,
    cast(low_price as {{ dbt.type_numeric() }}) as low_price,
    cast(close_price as {{ dbt.type_numeric() }}) as close_price,
    cast(volume as {{ dbt.type_int() }}) as volume,
    currency,
    _load_id
from {{ source('landfall', 'raw_eod_prices') }}
