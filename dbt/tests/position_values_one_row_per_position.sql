-- A position (date, account, instrument) is valued once: a reload must replace its date's rows, not add to them.
select as_of_date, account_id, isin, count(*) as n
from {{ ref('position_values') }}
group by as_of_date, account_id, isin
having count(*) > 1
