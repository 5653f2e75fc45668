"""The online tax office (issue 17): tax return status, the data the tax office holds, and the
automatic assessment of pensioners; the law lives in ``rathaus.domain.tax``."""
