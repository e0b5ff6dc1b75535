-- grain: one row per area × period of the statistics office's average population
with source as (
    select * from raw.pxweb_observations where indicator = 'population' and value is not null
),

renamed as (
    select
        area_code,
        period_code,
        value as population_thousand,
        data_status,
        table_id,
        url as source_url,
        retrieved_at
    from source
)

select * from renamed
