-- grain: one row per national indicator × year × target it is a comparator for
with source as (
    select * from raw.worldbank_observations where value is not null
),

exploded as (
    select
        trim(t.target_code) as target_code,
        s.indicator_code,
        s.indicator_name,
        s.name_vi,
        s.country,
        s.year,
        s.value,
        s.unit,
        s.url as source_url
    from source as s, unnest(string_split(s.compare_with, ',')) as t(target_code)
)

select * from exploded
