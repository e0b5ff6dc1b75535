-- grain: one row per observation from any source (source × target × area × period)
with manual as (
    select * from staging.stg_manual_observations
),

statistics as (
    select * from staging.stg_statistics_observations
),

department as (
    select * from staging.stg_department_observations
),

unioned as (
    select * from manual
    union all by name
    select * from statistics
    union all by name
    select * from department
)

select * from unioned
