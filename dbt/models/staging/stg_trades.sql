-- Trades, typed. `venue` arrived later than the table (schema drift), so it lives in `_extra` until the table gains it.
select
    trade_id,
    cast(trade_date as date) as trade_date,
    cast(settlement_date as date) as settlement_date,
    isin,
    side,
    cast(quantity as {{ dbt.type_int() }}) as quantity,
    cast(price as {{ dbt.type_numeric() }}) as price,
    currency,
    counterparty,
    trader,
    {{ extra_field('venue') }} as venue,
    _load_id
from {{ source('landfall', 'raw_trades') }}
