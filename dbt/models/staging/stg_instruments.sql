-- The instrument master, one row per ISIN (reference data: not per batch key).
select
    isin,
    ticker,
    name as instrument_name,
    currency,
    exchange_mic,
    asset_class,
    _load_id
from {{ source('landfall', 'raw_instruments') }}
