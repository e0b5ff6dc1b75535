-- grain: one row per observation from any source (source × target × area × period)
with manual as (
    select * from staging.stg_manual_observations
),

unioned as (
    select * from manual
)

select * from unioned
